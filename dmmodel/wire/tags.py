"""SyncML 1.2 vocabulary for the codecs: namespaces, WBXML public identifier and code pages.

Token values are those of the SyncML Representation Protocol (code page 0, SyncML) and the
Meta Information specification (code page 1, MetInf).
"""

from __future__ import annotations

SYNCML_NS = "SYNCML:SYNCML1.2"
METINF_NS = "syncml:metinf"
PUBLIC_ID = "-//SYNCML//DTD SyncML 1.2//EN"
PUBLIC_ID_TOKEN = 0x1201  # the registered WBXML public identifier of SyncML 1.2
VER_DTD, VER_PROTO = "1.2", "DM/1.2"

_SYNCML = [
    "Add",
    "Alert",
    "Archive",
    "Atomic",
    "Chal",
    "Cmd",
    "CmdID",
    "CmdRef",
    "Copy",
    "Cred",
    "Data",
    "Delete",
    "Exec",
    "Final",
    "Get",
    "Item",
    "Lang",
    "LocName",
    "LocURI",
    "Map",
    "MapItem",
    "Meta",
    "MsgID",
    "MsgRef",
    "NoResp",
    "NoResults",
    "Put",
    "Replace",
    "RespURI",
    "Results",
    "Search",
    "Sequence",
    "SessionID",
    "SftDel",
    "Source",
    "SourceRef",
    "Status",
    "Sync",
    "SyncBody",
    "SyncHdr",
    "SyncML",
    "Target",
    "TargetRef",
    "Reserved",
    "VerDTD",
    "VerProto",
    "NumberOfChanges",
    "MoreData",
    "Field",
    "Filter",
    "Record",
    "FilterType",
    "SourceParent",
    "TargetParent",
    "Move",
    "Correlator",
]
_METINF = [
    "Anchor",
    "EMI",
    "Format",
    "FreeID",
    "FreeMem",
    "Last",
    "Mark",
    "MaxMsgSize",
    "Mem",
    "MetInf",
    "Next",
    "NextNonce",
    "SharedMem",
    "Size",
    "Type",
    "Version",
    "MaxObjSize",
    "FieldLevel",
]

SYNCML_PAGE, METINF_PAGE = 0, 1
# tag -> (code page, token); tokens start at 0x05 on both pages
TOKENS: dict[str, tuple[int, int]] = {
    **{name: (SYNCML_PAGE, 0x05 + i) for i, name in enumerate(_SYNCML) if name != "Reserved"},
    **{name: (METINF_PAGE, 0x05 + i) for i, name in enumerate(_METINF)},
}
TAGS: dict[tuple[int, int], str] = {code: name for name, code in TOKENS.items()}
METINF_TAGS = frozenset(_METINF)
