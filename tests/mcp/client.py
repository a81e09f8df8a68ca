"""A real MCP client (the official Python SDK, `mcp`) against `archive mcp` over stdio, or
`archive serve --mcp` over Streamable HTTP. It lists the tools and resources, makes the calls
given on stdin (a JSON list of [tool, arguments]) and reads the resources given, and prints
what it got as JSON: the Rust test asserts on it.

    python client.py stdio ARCHIVE_BINARY --index DIR ... < calls.json
    python client.py http URL [TOKEN] < calls.json
"""

import asyncio
import json
import sys
import time

import httpx2
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.client.streamable_http import streamable_http_client


async def session_calls(session, plan):
    init = await session.initialize()
    tools = await session.list_tools()
    out = {
        "server": init.server_info.name,
        "instructions": init.instructions,
        "tools": {t.name: {"description": t.description, "schema": t.input_schema} for t in tools.tools},
        "calls": [],
        "resources": [],
        "reads": [],
    }
    for name, arguments in plan["calls"]:
        started = time.perf_counter()
        try:
            result = await session.call_tool(name, arguments)
            call = {
                "is_error": result.is_error,
                "text": "".join(getattr(c, "text", "") for c in result.content),
                "structured": result.structured_content,
            }
        except Exception as e:  # a protocol error: an unknown tool, wrong argument types
            call = {"protocol_error": str(e)}
        call["ms"] = (time.perf_counter() - started) * 1000
        out["calls"].append(call)
    cursor = None
    while True:
        listed = await session.list_resources(cursor=cursor) if cursor else await session.list_resources()
        out["resources"] += [{"uri": r.uri, "name": r.name, "title": r.title, "mime_type": r.mime_type} for r in listed.resources]
        cursor = listed.next_cursor
        if not cursor:
            break
    for uri in plan["reads"]:
        try:
            read = await session.read_resource(uri)
            out["reads"].append({"text": read.contents[0].text, "mime_type": read.contents[0].mime_type})
        except Exception as e:
            out["reads"].append({"protocol_error": str(e)})
    return out


async def main():
    plan = json.load(sys.stdin)
    mode = sys.argv[1]
    if mode == "stdio":
        params = StdioServerParameters(command=sys.argv[2], args=sys.argv[3:])
        async with stdio_client(params) as (read, write):
            async with ClientSession(read, write) as session:
                out = await session_calls(session, plan)
    else:
        headers = {"Authorization": f"Bearer {sys.argv[3]}"} if len(sys.argv) > 3 else {}
        async with httpx2.AsyncClient(headers=headers, timeout=30) as http:
            async with streamable_http_client(sys.argv[2], http_client=http) as (read, write):
                async with ClientSession(read, write) as session:
                    out = await session_calls(session, plan)
    json.dump(out, sys.stdout)


asyncio.run(main())
