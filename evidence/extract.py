#!/usr/bin/env python3
"""Regenerates the spec extract in evidence/ from a copy of Halo's published OpenAPI document.

    python3 evidence/extract.py SWAGGER.json --source "owner/repo@commit:path" [--date YYYY-MM]

writes evidence/halo-api/paths.json (every path with its methods, query parameters, path-id type
and request body schema) and evidence/halo-api/schemas.json (the properties, with their types, of
the objects halo-onboard reads or writes, and of the objects they nest). The next Halo version is
one command away: fetch a newer swagger.json (Halo serves one at <agent portal>/api/swagger on
many instances), run this, read the diff.

    python3 evidence/extract.py --dto Uname.g.cs --source "owner/repo@commit:path" --date 2026-01

writes evidence/halo-api/uname-2026.json: the property names of a generated C# DTO (the 2026
Uname model), for comparing schema generations.

Only the standard library is used, so any Python 3 runs it.
"""
import argparse
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "halo-api")

# The objects halo-onboard reads or writes (halo-api.md section 0 and 3), with the nested
# objects they carry. Extend this list when the tool touches a new object.
SCHEMAS = [
    "Uname",                         # agent
    "UnameSection",                  # agent/role team membership
    "UnameDepartment",               # agent/role department membership
    "NHD_Roles",                     # role
    "NHD_Claim",                     # role/agent permission claim {type, value}
    "NHD_Identity_Application",      # API application
    "NHD_Identity_ApplicationScope", # one ticked scope of an application
    "SectionDetail",                 # team
    "Tree",                          # department (served at /TopLevel)
    "Workdays",                      # work hours
    # The objects of the probe areas (evidence/areas.toml): each area endpoint's POST body. The
    # emulator seeds and lists these records, so it must know their fields too.
    "Faults",                        # ticket (/Tickets; also /Projects, /Opportunities)
    "Area",                          # client (/Client)
    "Users",                         # user (/Users)
    "Device",                        # asset (/Asset)
    "Webhook",                       # /Webhook
    "Appointment",                   # /Appointment
    "AreaNote",                      # CRM note (/CRMNote)
    "Timesheet",                     # /Timesheet
    "ContractHeader",                # client contract (/ClientContract)
    "Company",                       # supplier (/Supplier)
    "Item",                          # /Item
    "QuotationHeader",               # /Quotation
    "OrderHead",                     # sales order (/SalesOrder)
    "SupplierOrderHeader",           # purchase order (/PurchaseOrder)
    "InvoiceHeader",                 # /Invoice
    "AnalyzerProfile",               # report (/Report)
    "Release",                       # software release (/Release)
    "Licence_List",                  # software licence (/SoftwareLicence)
    "KBEntry",                       # knowledge base article (/KBArticle)
    "DistributionLists",             # /DistributionLists
]


def type_of(prop):
    """A compact type: integer, number, string, boolean, object, <Schema>, array<...>."""
    if "$ref" in prop:
        return prop["$ref"].rsplit("/", 1)[-1]
    t = prop.get("type")
    if t == "array":
        return "array<%s>" % type_of(prop.get("items", {}))
    if t in ("integer", "number", "string", "boolean", "object"):
        return t
    if t == "bool":
        return "boolean"
    return t or "any"


def body_schema(op):
    content = (op.get("requestBody") or {}).get("content") or {}
    for media in ("application/json", "text/json", "application/*+json"):
        schema = (content.get(media) or {}).get("schema")
        if schema:
            return type_of(schema)
    return None


def one_line_entries(obj, indent="  "):
    """JSON with one entry per line, so a new Halo version reads as a short diff."""
    lines = []
    for k in sorted(obj, key=lambda s: (s.lower(), s)):
        lines.append("%s%s: %s" % (indent, json.dumps(k), json.dumps(obj[k], sort_keys=True, separators=(",", ":"))))
    return "{\n" + ",\n".join(lines) + "\n}"


def write(name, header, body_key, body):
    path = os.path.join(OUT, name)
    with open(path, "w", encoding="utf-8") as f:
        f.write("{\n")
        f.write('"_source": %s,\n' % json.dumps(header, sort_keys=True))
        f.write('"%s": %s\n' % (body_key, one_line_entries(body)))
        f.write("}\n")
    print("wrote", os.path.relpath(path, os.path.dirname(HERE)), "(%d entries)" % len(body))


def extract_swagger(args):
    with open(args.swagger, encoding="utf-8-sig") as f:
        spec = json.load(f)
    info = spec.get("info", {})
    header = {
        "what": "Halo's published OpenAPI document: %s %s" % (info.get("title", "?"), info.get("version", "?")),
        "from": args.source,
        "date": args.date,
        "servers": [s.get("url") for s in spec.get("servers", [])],
        "regenerate": "python3 evidence/extract.py SWAGGER.json --source ... --date ...",
        "confidence": "C",
    }
    paths = {}
    for p, ops in spec.get("paths", {}).items():
        entry = {}
        for method, op in ops.items():
            if method.lower() not in ("get", "post", "put", "patch", "delete"):
                continue
            params = op.get("parameters", [])
            e = {"query": sorted({x["name"] for x in params if x.get("in") == "query"})}
            ids = {x["name"]: type_of(x.get("schema", {})) for x in params if x.get("in") == "path"}
            if ids:
                e["path"] = ids
            b = body_schema(op)
            if b:
                e["body"] = b
            entry[method.lower()] = e
        paths[p] = entry
    header["count"] = len(paths)
    write("paths.json", header, "paths", paths)

    schemas = spec.get("components", {}).get("schemas", {})
    out = {}
    for name in SCHEMAS:
        s = schemas.get(name)
        if s is None:
            sys.exit("schema %s is not in this swagger: update SCHEMAS" % name)
        out[name] = {k: type_of(v) for k, v in s.get("properties", {}).items()}
    h = dict(header)
    h["count"] = len(out)
    write("schemas.json", h, "schemas", out)


def extract_dto(args):
    text = open(args.dto, encoding="utf-8-sig").read()
    props = re.findall(r'JsonPropertyName\("([^"]+)"\)\]\s*//\s*Json Property Type:\s*(\S+)', text)
    if not props:
        sys.exit("no [JsonPropertyName] in %s" % args.dto)
    cls = re.search(r"JSON Type Name:\s*(\w+)", text)
    header = {
        "what": "properties of the generated C# DTO %s (generated from Halo's swagger of that date)" % (cls.group(1) if cls else "?"),
        "from": args.source,
        "date": args.date,
        "regenerate": "python3 evidence/extract.py --dto FILE.g.cs --source ... --date ...",
        "confidence": "C",
        "count": len(props),
    }
    base = os.path.basename(args.dto).split(".")[0].lower()
    write("%s-%s.json" % (base, args.date[:4]), header, "properties", {k: t for k, t in props})


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("swagger", nargs="?")
    ap.add_argument("--dto")
    ap.add_argument("--source", required=True, help="repository@commit:path or URL of the copy")
    ap.add_argument("--date", required=True, help="when the document was published, YYYY-MM")
    args = ap.parse_args()
    os.makedirs(OUT, exist_ok=True)
    if args.dto:
        extract_dto(args)
    elif args.swagger:
        extract_swagger(args)
    else:
        ap.error("give SWAGGER.json or --dto FILE")


if __name__ == "__main__":
    main()
