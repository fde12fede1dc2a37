"""The jq evaluator process (started by ``jq_sandbox``): one JSON request per line in, one reply out.

It imports nothing of the project, caps its own address space (``argv[1]`` bytes) so a
program that allocates without bound dies here instead of in a worker, and is killed
from outside when a program runs too long.
"""

import json
import resource
import sys
from functools import lru_cache

import jq


def main() -> None:
    limit = int(sys.argv[1])
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    compiled = lru_cache(maxsize=512)(jq.compile)
    read, write = sys.stdin.buffer.readline, sys.stdout.buffer
    while line := read():
        request = json.loads(line)
        try:
            reply = {"ok": compiled(request["p"]).input_value(request["d"]).all()}
        except Exception as exc:  # jq's errors are ValueErrors; anything else is reported the same way
            reply = {"error": str(exc).strip() or type(exc).__name__}
        write.write(json.dumps(reply, ensure_ascii=False).encode() + b"\n")
        write.flush()


if __name__ == "__main__":
    main()
