"""Translates template.yaml with the installed samtranslator exactly as `sam validate` does before anything else.

`sam validate` (samcli/lib/translate/sam_template_validator.py) first replaces every local CodeUri with an S3 URI
(`sam package` would upload the file there), then runs the SAM translator with no parameter values. Prints "ok" and
the resource types it made, or each reason the translator gives, one a line; with OUT, writes the translated template
there as JSON, for tests to read what CloudFormation gets. Usage: sam_validate.py TEMPLATE [OUT]
"""
import json
import sys
from collections import Counter

from cfnlint.decode import decode_str
from samtranslator.parser.parser import Parser
from samtranslator.public.exceptions import InvalidDocumentException
from samtranslator.translator.translator import Translator

LOCAL_URIS = {
    "AWS::Serverless::Function": "CodeUri",
    "AWS::Serverless::LayerVersion": "ContentUri",
    "AWS::Serverless::Api": "DefinitionUri",
    "AWS::Serverless::HttpApi": "DefinitionUri",
    "AWS::Serverless::StateMachine": "DefinitionUri",
}


def replace_local_uris(template):
    for resource in template.get("Resources", {}).values():
        prop = LOCAL_URIS.get(resource.get("Type"))
        props = resource.get("Properties", {})
        value = props.get(prop) if prop else None
        if isinstance(value, str) and not value.startswith("s3://"):
            props[prop] = "s3://bucket/" + value
    globals_ = template.get("Globals", {}).get("Function", {})
    if isinstance(globals_.get("CodeUri"), str) and not globals_["CodeUri"].startswith("s3://"):
        globals_["CodeUri"] = "s3://bucket/" + globals_["CodeUri"]


class NoManagedPolicies:
    """sam validate passes a loader; this template names no AWS managed policy."""

    def load(self):
        return {}


def main(path, out=None):
    with open(path) as f:
        template, errors = decode_str(f.read())
    if errors:
        print("\n".join(str(e) for e in errors))
        return 1
    replace_local_uris(template)
    try:
        translated = Translator(NoManagedPolicies(), Parser()).translate(sam_template=template, parameter_values={})
    except InvalidDocumentException as e:
        print("\n".join(str(c) for c in e.causes))
        return 1
    if out:
        with open(out, "w") as f:
            json.dump(translated, f, indent=1, default=str)
    types = Counter(r["Type"] for r in translated["Resources"].values())
    print("ok " + ", ".join(f"{n} {t}" for t, n in sorted(types.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
