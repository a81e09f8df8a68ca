"""Times the MCP `search` tool against `/api/search` for the same queries, on one server
(`archive serve --mcp`), alternating the two so both see the same machine. Prints p50 and
p99 per query and over all, in milliseconds, as a client measures them (request sent to
answer parsed).

    python bench.py http://127.0.0.1:3000 [ROUNDS]
"""

import asyncio
import json
import statistics
import sys
import time

import httpx2
from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client

QUERIES = ["nimbusprobe", "agent memory", "\"speculative decoding\"", "topic:agents after:2026-03-01",
           "quantization OR distillation", "source:r/LocalLLaMA memory", ""]


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))]


async def main():
    base, rounds = sys.argv[1].rstrip("/"), int(sys.argv[2]) if len(sys.argv) > 2 else 50
    tool, api = {q: [] for q in QUERIES}, {q: [] for q in QUERIES}
    async with httpx2.AsyncClient(timeout=30) as http:
        async with streamable_http_client(f"{base}/mcp", http_client=http) as (read, write):
            async with ClientSession(read, write) as session:
                await session.initialize()
                for _ in range(rounds):
                    for q in QUERIES:
                        started = time.perf_counter()
                        result = await session.call_tool("search", {"q": q})
                        tool[q].append((time.perf_counter() - started) * 1000)
                        assert not result.is_error, result
                        started = time.perf_counter()
                        answer = await http.get(f"{base}/api/search", params={"q": q})
                        answer.json()
                        api[q].append((time.perf_counter() - started) * 1000)
    print("| query | MCP tool p50 / p99 | /api/search p50 / p99 |")
    print("| --- | ---: | ---: |")
    for q in QUERIES:
        print(f"| `{q or '(empty)'}` | {pct(tool[q], .5):.2f} / {pct(tool[q], .99):.2f} | {pct(api[q], .5):.2f} / {pct(api[q], .99):.2f} |")
    every_tool = [t for q in QUERIES for t in tool[q]]
    every_api = [t for q in QUERIES for t in api[q]]
    print(f"| all ({len(every_tool)} each) | {pct(every_tool, .5):.2f} / {pct(every_tool, .99):.2f} | {pct(every_api, .5):.2f} / {pct(every_api, .99):.2f} |")


asyncio.run(main())
