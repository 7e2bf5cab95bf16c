"""Validates rendered Kubernetes manifests offline, printing one JSON report on stdout.

Built-in kinds are checked against the JSON schemas of one Kubernetes version (kubernetes-validate, strict: an
unknown field is an error). Custom resources are checked against the openAPIV3Schema of their operator's CRD,
made strict the same way: the API server would silently drop an unknown field (structural pruning), so a typo
would never reach the operator. A kind with neither is reported as not validated, never passed silently.

usage: validate-manifests.py --kubernetes-version 1.33 [--crd FILE ...] MANIFEST ...
exit status: 0 when every document is valid, 1 when one is not.
"""

import argparse
import json
import sys

import jsonschema
import kubernetes_validate
import yaml


def strict(schema):
    """A copy of a CRD schema in which objects with declared properties admit no others."""
    if isinstance(schema, list):
        return [strict(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    result = {key: strict(value) for key, value in schema.items()}
    if (
        "properties" in result
        and "additionalProperties" not in result
        and not result.get("x-kubernetes-preserve-unknown-fields")
    ):
        result["additionalProperties"] = False
    if result.get("nullable") and isinstance(result.get("type"), str):
        result["type"] = [result["type"], "null"]
    return result


def load_crds(paths):
    schemas = {}
    for path in paths:
        with open(path) as handle:
            for crd in yaml.safe_load_all(handle):
                if not crd or crd.get("kind") != "CustomResourceDefinition":
                    continue
                group = crd["spec"]["group"]
                kind = crd["spec"]["names"]["kind"]
                for version in crd["spec"]["versions"]:
                    schema = version.get("schema", {}).get("openAPIV3Schema")
                    if schema:
                        schemas[(f"{group}/{version['name']}", kind)] = (strict(schema), path)
    return schemas


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--kubernetes-version", required=True)
    parser.add_argument("--crd", action="append", default=[])
    parser.add_argument("manifests", nargs="+")
    args = parser.parse_args()
    crds = load_crds(args.crd)

    report = {"kubernetesVersion": args.kubernetes_version, "valid": [], "invalid": [], "notValidated": []}
    for path in args.manifests:
        with open(path) as handle:
            documents = [doc for doc in yaml.safe_load_all(handle) if doc]
        for doc in documents:
            api_version, kind = doc.get("apiVersion", ""), doc.get("kind", "")
            entry = {"file": path, "apiVersion": api_version, "kind": kind, "name": doc.get("metadata", {}).get("name", "")}
            crd = crds.get((api_version, kind))
            try:
                if crd:
                    schema, source = crd
                    jsonschema.Draft7Validator(schema).validate(doc)
                    entry["schema"] = source
                else:
                    kubernetes_validate.validate(doc, args.kubernetes_version, strict=True)
                    entry["schema"] = f"kubernetes {args.kubernetes_version}"
                report["valid"].append(entry)
            except kubernetes_validate.SchemaNotFoundError:
                report["notValidated"].append(entry)
            except jsonschema.ValidationError as error:
                where = "/".join(str(part) for part in error.absolute_path)
                entry["error"] = f"{where}: {error.message}"
                report["invalid"].append(entry)
    json.dump(report, sys.stdout, indent=1)
    sys.exit(1 if report["invalid"] else 0)


if __name__ == "__main__":
    main()
