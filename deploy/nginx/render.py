"""Fill in kb's nginx templates: `kb.conf` (the site) and, with --standalone, `main.conf` (a whole configuration
for an nginx run by an ordinary user from one folder). docs/deploy.md shows the command; tests/test_deploy.py runs it.

Each `@NAME@` placeholder of a template is replaced by its option's value; a name left unfilled is an error, so a
renamed placeholder cannot slip into a configuration.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
PLACEHOLDER = re.compile(r"@([A-Z_]+)@")


def fill(template: str, values: dict[str, str]) -> str:
    """`template` with every @NAME@ replaced by values[NAME]; KeyError names a placeholder without a value."""
    missing = sorted({name for name in PLACEHOLDER.findall(template) if name not in values})
    if missing:
        raise KeyError(f"no value for {', '.join(missing)}")
    return PLACEHOLDER.sub(lambda match: values[match.group(1)], template)


def site(args: argparse.Namespace) -> str:
    origin = args.public_origin or f"https://{args.server_name}"
    return fill((HERE / "kb.conf").read_text(encoding="utf-8"), {
        "SERVER_NAME": args.server_name, "PUBLIC_ORIGIN": origin.rstrip("/"), "UPSTREAM": args.upstream,
        "STATIC": str(Path(args.static).resolve()), "CERT": str(args.cert), "KEY": str(args.key),
        "HTTP_LISTEN": args.http_listen, "HTTPS_LISTEN": args.https_listen,
        "ACCESS_LOG": str(args.access_log or "/var/log/nginx/kb.access.log")})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--server-name", required=True, help="the public host name, e.g. kb.example.org")
    parser.add_argument("--public-origin", help="the public address without a path (default https://SERVER-NAME); "
                                                "the same as kb's public_url setting")
    parser.add_argument("--upstream", default="127.0.0.1:8000", help="where kb serve listens (default %(default)s)")
    parser.add_argument("--static", default=str(ROOT / "kb" / "static"), help="kb's static folder (kb/static)")
    parser.add_argument("--cert", required=True, help="TLS certificate chain (PEM)")
    parser.add_argument("--key", required=True, help="TLS private key (PEM)")
    parser.add_argument("--http-listen", default="80", help="listen address of the redirect (default 80)")
    parser.add_argument("--https-listen", default="443", help="listen address of the site (default 443)")
    parser.add_argument("--access-log", help="default /var/log/nginx/kb.access.log (PREFIX/access.log with "
                                             "--standalone)")
    parser.add_argument("--standalone", metavar="PREFIX", type=Path,
                        help="write PREFIX/kb.conf and PREFIX/nginx.conf (a whole configuration, pid, logs and "
                             "temporary files under PREFIX) instead of printing the site")
    args = parser.parse_args(argv)
    if args.standalone is None:
        sys.stdout.write(site(args))
        return 0
    prefix = args.standalone.resolve()
    prefix.mkdir(parents=True, exist_ok=True)
    args.access_log = args.access_log or prefix / "access.log"
    (prefix / "kb.conf").write_text(site(args), encoding="utf-8")
    main_conf = fill((HERE / "main.conf").read_text(encoding="utf-8"), {"PREFIX": str(prefix)})
    (prefix / "nginx.conf").write_text(main_conf, encoding="utf-8")
    print(f"/usr/sbin/nginx -p {prefix} -c {prefix}/nginx.conf -e {prefix}/error.log")
    return 0


if __name__ == "__main__":
    sys.exit(main())
