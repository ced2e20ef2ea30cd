"""Drives PromptVault's MCP server with the official MCP Python SDK (the `mcp` package).

Reads a plan (JSON) on stdin: {"url": …, "steps": [{"op": …, "token": …, …}, …]} and prints one
JSON result per step, in order, as a JSON list on stdout. The Rust test (tests/api/mcp.rs) makes
the plan and checks the results, so every assertion lives there.

Operations: connect (protocol version and server name), list_prompts (every page), get_prompt,
list_tools, call_tool. A step that fails records {"error": {"code", "message"}} (or
{"failed": "<exception>"} when the SDK raised something other than an MCP error).
"""

import asyncio
import json
import sys

import httpx2
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.exceptions import MCPError


def dump(model):
    return json.loads(model.model_dump_json(by_alias=True, exclude_none=True))


async def run_step(url, step):
    http = httpx2.AsyncClient(headers={"Authorization": f"Bearer {step['token']}"}, timeout=30)
    async with http:
        async with Client(streamable_http_client(url + step.get("query", ""), http_client=http)) as client:
            op = step["op"]
            if op == "connect":
                info = client.server_info
                return {"protocolVersion": client.protocol_version, "serverName": info.name if info else None}
            if op == "list_prompts":
                prompts, cursor, pages = [], None, 0
                while True:
                    page = await client.list_prompts(cursor=cursor)
                    pages += 1
                    prompts.extend(dump(p) for p in page.prompts)
                    cursor = page.next_cursor
                    if not cursor:
                        break
                return {"prompts": prompts, "pages": pages}
            if op == "get_prompt":
                return dump(await client.get_prompt(step["name"], step.get("arguments")))
            if op == "list_tools":
                return dump(await client.list_tools())
            if op == "call_tool":
                return dump(await client.call_tool(step["name"], step.get("arguments")))
            raise ValueError(f"unknown op {op}")


def mcp_error(e):
    """The MCP error inside `e` (the SDK's task groups wrap it in exception groups)."""
    if isinstance(e, MCPError):
        return e
    if isinstance(e, BaseExceptionGroup):
        for inner in e.exceptions:
            found = mcp_error(inner)
            if found is not None:
                return found
    return None


async def main():
    plan = json.load(sys.stdin)
    results = []
    for step in plan["steps"]:
        try:
            results.append(await run_step(plan["url"], step))
        except BaseException as e:  # the SDK wraps errors in exception groups
            found = mcp_error(e)
            if found is not None:
                results.append({"error": {"code": found.code, "message": found.error.message}})
            else:
                results.append({"failed": repr(e)[:2000]})
    json.dump(results, sys.stdout)


asyncio.run(main())
