"""Drives huggingface_hub, unchanged, against the server in HF_ENDPOINT and prints what a user would check, as JSON.

Usage: hub_client.py REPO TOKEN|- CALL [ARGS...]; each call prints one JSON object on stdout:
  snapshot REV [PATTERN]   files of snapshot_download(revision=REV, allow_patterns=PATTERN): path -> sha256
  download REV FILE        hf_hub_download: the sha256 of the file
  files REV                list_repo_files
  info REV                 model_info(files_metadata=True): id, sha, siblings with their lfs sha256
  tree REV                 list_repo_tree(recursive=True): path -> lfs sha256 (or null)
  refs                     list_repo_refs: branch and tag names -> commit
An exception prints {"error": its class name, "message": ...}.
"""
import hashlib
import json
import os
import sys

from huggingface_hub import HfApi, hf_hub_download, list_repo_files, snapshot_download


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def main(repo, token, call, *args):
    token = None if token == "-" else token
    api = HfApi()
    if call == "snapshot":
        patterns = args[1] if len(args) > 1 else None
        root = snapshot_download(repo, revision=args[0], token=token, allow_patterns=patterns)
        files = {}
        for dirpath, _, names in os.walk(root):
            for n in names:
                p = os.path.join(dirpath, n)
                files[os.path.relpath(p, root)] = sha256(p)
        return {"root": root, "files": files}
    if call == "download":
        return {"sha256": sha256(hf_hub_download(repo, args[1], revision=args[0], token=token))}
    if call == "files":
        return {"files": sorted(list_repo_files(repo, revision=args[0], token=token))}
    if call == "info":
        info = api.model_info(repo, revision=args[0], token=token, files_metadata=True)
        return {"id": info.id, "sha": info.sha, "private": info.private,
                "siblings": {s.rfilename: (s.lfs.sha256 if s.lfs else None) for s in info.siblings}}
    if call == "tree":
        entries = api.list_repo_tree(repo, revision=args[0], token=token, recursive=True)
        return {"tree": {e.path: (getattr(e, "lfs", None).sha256 if getattr(e, "lfs", None) else None)
                         for e in entries}}
    if call == "refs":
        refs = api.list_repo_refs(repo, token=token)
        return {"branches": {b.name: b.target_commit for b in refs.branches},
                "tags": {t.name: t.target_commit for t in refs.tags}}
    raise SystemExit("unknown call " + call)


if __name__ == "__main__":
    try:
        out = main(*sys.argv[1:])
    except Exception as e:  # what the user's script would see
        out = {"error": type(e).__name__, "message": str(e)[:500]}
    print(json.dumps(out))
