# FastAPI: the same ten-field model as a pydantic model, validated in and echoed through
# response_model.
from typing import List, Literal, Optional

from fastapi import FastAPI
from pydantic import BaseModel


class Address(BaseModel):
    street: str
    city: str
    zip: str


class Item(BaseModel):
    id: int
    name: str
    email: str
    age: int
    score: float
    active: bool
    tags: List[str]
    address: Address
    nickname: Optional[str]
    role: Literal["admin", "user"]


app = FastAPI()


@app.post("/items/", response_model=Item)
async def create_item(item: Item):
    return item


@app.get("/fast_task/")
async def read_root():
    return {"message": "This is fast!"}
