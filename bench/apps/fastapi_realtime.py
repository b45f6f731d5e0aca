# FastAPI's side of bench/realtime.mjs: the WebSocket echo, the seed's /fast_task/, and
# Starlette's StaticFiles over STATIC_DIR under /static.
import os

from fastapi import FastAPI, WebSocket, WebSocketDisconnect
from fastapi.staticfiles import StaticFiles

app = FastAPI()


@app.get("/")
async def root():
    return {"ok": True}


@app.get("/fast_task/")
async def fast_task():
    return {"message": "This is fast!"}


@app.websocket("/echo")
async def echo(websocket: WebSocket):
    await websocket.accept()
    try:
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                return
            if message.get("text") is not None:
                await websocket.send_text(message["text"])
            else:
                await websocket.send_bytes(message["bytes"])
    except WebSocketDisconnect:
        return


if os.environ.get("STATIC_DIR"):
    app.mount("/static", StaticFiles(directory=os.environ["STATIC_DIR"]), name="static")
