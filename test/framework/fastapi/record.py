# Records what a current FastAPI (0.14x, pydantic 2) answers to the conversion cases that
# test/framework/body-conversion.test.ts replays against spry. Re-record with
#   python3 -m venv venv && venv/bin/pip install fastapi httpx email-validator
#   venv/bin/python test/framework/fastapi/record.py > test/framework/fastapi/answers.json
import enum, json, sys, datetime, uuid
from typing import Literal, Annotated
from fastapi import FastAPI, Query, Path, Header, Body
from fastapi.testclient import TestClient
from pydantic import BaseModel, ConfigDict, Field, EmailStr, AnyUrl, HttpUrl

class Color(str, enum.Enum):
    red = "red"
    green = "green"
    blue = "blue"

class Inner(BaseModel):
    x: int

app = FastAPI()

def model(name, ann, default=..., strict=False, **field):
    cfg = ConfigDict(strict=True) if strict else ConfigDict()
    ns = {"__annotations__": {"v": ann}, "model_config": cfg}
    if default is not ... or field:
        ns["v"] = Field(default, **field)
    return type(name, (BaseModel,), ns)

FIELDS = {
    "int": (int, {}), "float": (float, {}), "bool": (bool, {}), "str": (str, {}),
    "enum": (Color, {}), "list": (list[int], {}), "nested": (Inner, {}),
    "optional": (int | None, {"default": None}), "default": (int, {"default": 7}),
    "int_union": (int | bool, {}), "literal": (Literal[1, "all"], {}),
    "multiple": (int, {"multiple_of": 3}), "fmultiple": (float, {"multiple_of": 0.5}),
    "list1": (list[int], {"min_length": 1, "max_length": 1}),
    "list2": (list[int], {"min_length": 2, "max_length": 3}),
    "str1": (str, {"min_length": 1, "max_length": 1}),
    "str2": (str, {"min_length": 2, "max_length": 3}),
    "gt": (int, {"gt": 3}), "ge": (float, {"ge": 3}), "lt": (int, {"lt": 3}), "le": (int, {"le": 3}),
    "email": (EmailStr, {}), "uuid": (uuid.UUID, {}), "url": (AnyUrl, {}), "httpurl": (HttpUrl, {}),
    "date": (datetime.date, {}), "datetime": (datetime.datetime, {}),
    "list_str": (list[str], {}), "list_nested": (list[Inner], {}),
}
for strict in (False, True):
    for key, (ann, opts) in FIELDS.items():
        opts = dict(opts)
        default = opts.pop("default", ...)
        M = model(f"M_{key}_{strict}", ann, default, strict, **opts)
        def make(M):
            def endpoint(body: M):
                return body
            return endpoint
        app.post(f"/{'strict/' if strict else ''}{key}")(make(M))

@app.get("/param-gt/{x}")
def param_gt(x: Annotated[int, Path(gt=3)]): return x
@app.get("/q")
def q(price: float | None = None, n: int | None = None, b: bool | None = None, u: int | bool | None = None): return {"price": price, "n": n, "b": b, "u": u}
@app.get("/h")
def h(x_list: Annotated[list[int], Header()]): return x_list

V = {
 "int": ['1','"1"','" 1 "','"+1"','"-1"','"1.0"','"1.5"','"1e3"','"abc"','""','1.0','1.5','-0.0','1e3','true','false','null','[1]','{}','9007199254740993','"9007199254740993"','1e20','"0x10"','"1_000"','"٣"'],
 "float": ['1','1.5','"1.5"','" 2.5 "','"-2.5"','"1e-3"','"1e10"','".55"','"5."','"abc"','""','"inf"','"nan"','"infinity"','"-Infinity"','true','false','null','[1]','"1_0"'],
 "bool": ['true','false','1','0','2','1.0','0.0','1.5','"true"','"True"','"TRUE"','"false"','"yes"','"Yes"','"no"','"on"','"off"','"1"','"0"','"t"','"f"','"y"','"n"','"T"','" true"','"abc"','""','null','[]'],
 "str": ['"a"','1','1.5','true','null','[]','{}'],
 "enum": ['"red"','"Red"','"purple"','1','null','true'],
 "list": ['[1,"2"]','[1,"x",2.5]','"1"','{"a":1}','null','1','[]'],
 "nested": ['{"x":"1"}','{"x":"a"}','{}','"x"','[]','null','1'],
 "optional": ['null','"1"','"a"'],
 "default": ['"5"'],
 "int_union": ['1','true','"1"','"true"','"x"','1.0','1.5','null'],
 "literal": ['1','"all"','"1"','2','"x"','true','1.0'],
 "multiple": ['6','7','"7"'],
 "fmultiple": ['1.5','1.2'],
 "list1": ['[]','[1,2]'],
 "list2": ['[1]','[1,2,3,4]'],
 "str1": ['""','"ab"'],
 "str2": ['"a"','"abcd"'],
 "gt": ['2','"2"'], "ge": ['2.5'], "lt": ['3'], "le": ['4'],
 "email": ['"a@example.com"','"abc"','"a@"','"@b.com"','"a@b"','1'],
 "uuid": ['"6ba7b810-9dad-11d1-80b4-00c04fd430c8"','"abc"','"6ba7b810-9dad-11d1-80b4-00c04fd430cz"','"6ba7b8109dad11d180b400c04fd430c8"','1'],
 "url": ['"https://example.com"','"abc"','"http://"','"example.com"','1', '""'],
 "httpurl": ['"ftp://x.com"','"abc"'],
 "date": ['"2024-01-31"','"2024-13-01"','"2024-02-30"','"abc"','"2024-01-31T00:00:00"','"2024-01-31T10:00:00"','0','1700000000','"1700000000"','""', 'null', '"2024-1-1"'],
 "datetime": ['"2024-01-31T10:00:00Z"','"2024-01-31T10:00:00"','"2024-01-31"','"abc"','"2024-01-31T25:00:00"','0','"2024-01-31 10:00:00"','""','1700000000.5'],
 "list_str": ['["a",1]'],
 "list_nested": ['[{"x":1},{"x":"b"},3]'],
}
cases = []
for strict in ("", "strict/"):
  for k, vals in V.items():
    for v in vals:
      cases.append(["POST", f"/{strict}{k}", '{"v":%s}' % v])
for k in ["int","nested","list"]:
  for raw in ['null', '"x"', '[]', '1', '']:
    cases.append(["POST", f"/{k}", raw])
cases.append(["POST", "/int", '{}'])
cases.append(["POST", "/enum", '{}'])
cases.append(["GET", "/param-gt/2"])
for p in ["12.5","-2.5","1e-3","1e10",".55","5.","abc","1e","+.5","inf","nan"," 1.5"]:
  cases.append(["GET", "/q", {"price": p}])
for p in ["1","1.0","-3"," 2 ","1e3","abc","+4"]:
  cases.append(["GET", "/q", {"n": p}])
for p in ["true","TRUE","Yes","ON","t","1","0","2","abc"]:
  cases.append(["GET", "/q", {"b": p}])
for p in ["1","true","x","1.5"]:
  cases.append(["GET", "/q", {"u": p}])
cases.append(["GET", "/h", None, {}])
cases.append(["GET", "/h", None, {"x-list": "a"}])
V2 = {
 "int": ['"1."','"1.00"','"_1"','"1__0"','"1_"','" 1_0 "','"1.0e0"','"00012"','"-0"','"1\\n"','"\\t2"','9007199254740992','-9007199254740993','1e15', '"1e20"', '"99999999999999999999"'],
 "float": ['"1_0.5"','"1e1_0"','"1E3"','"+1.5"','"1.5e+3"','"0x10"','"1e400"', '"- 1"', '"1.2.3"', '"e3"'],
 "date": ['"2024"','"abcdefghij"','"2024/01/31"','"2024-0a-31"','"2024-01-3x"','"2024-01-31x"','"2024-00-10"','"2024-01-00"','"2024-01-31T"','"2024-01-31T00:00:00Z"','"2024-01-31T00:00:00+01:00"','86400','86400.5','-86400','"x024-01-31"','"2024-1-31"','"20240131"'],
 "datetime": ['"2024-01-31T10:00"','"2024-01-31T10:00:00.123Z"','"2024-01-31T10"','"2024-01-31X10:00:00"','"2024-01-31T10:00:00+0100"','"2024-01-31T10:61:00"','"2024-01-31T10:00:61"','1e20','"1700000000"','-1'],
 "uuid": ['"6ba7b810-9dad-11d1-80b4-00c04fd430c"','"6ba7b810-9dad-11d1-80b4"','"6ba7b810-9dad-11d1-80b4-00c04fd430c8a"','"6ba7b810-9dad-11d180b4-00c04fd430c8"','"{6ba7b810-9dad-11d1-80b4-00c04fd430c8}"','"urn:uuid:6ba7b810-9dad-11d1-80b4-00c04fd430c8"','"6BA7B810-9DAD-11D1-80B4-00C04FD430C8"','"zba7b810-9dad-11d1-80b4-00c04fd430c8"','""','"00000000-0000-0000-0000-000000000000"','"6ba7b810-9dad-11d1-80b4-00c04fd430cg"','"6ba7b810x9dad-11d1-80b4-00c04fd430c8"'],
 "url": ['"http://a b.com"','"http://example.com:99999"','"mailto:a@b.com"','"http://[::1"','"//example.com"','"http://exa mple.com"','"https://例え.jp"','"http://256.256.256.256"','" https://example.com "'],
 "email": ['"a b@example.com"','"a@b..com"','"a@@b.com"','"a@-b.com"','"a.@b.com"','" a@example.com"','"A@Example.COM"','"a@b.c"','"a@example.com."'],
}

for k, vals in V2.items():
  for v in vals:
    cases.append(["POST", f"/{k}", '{"v":%s}' % v])

class N(enum.IntEnum):
    one = 1
    two = 2
@app.get("/lit")
def lit(x: Literal[1, "all"]): return x
@app.get("/lit12")
def lit12(x: Literal[1, 2]): return x
@app.get("/intenum")
def intenum(x: N): return x
@app.get("/intstr")
def intstr(x: int | str): return x
@app.get("/strint")
def strint(x: str | int): return x
@app.get("/floatint")
def floatint(x: float | int): return x
@app.get("/boolint")
def boolint(x: bool | int): return x
@app.get("/ql")
def ql(x: Annotated[list[int], Query(max_length=2, min_length=1)]): return x
@app.post("/embed")
def embed(item: Inner, importance: Annotated[int, Body()]): return {"item": item, "importance": importance}
@app.post("/single")
def single(importance: Annotated[int, Body()]): return importance
@app.post("/singleopt")
def singleopt(item: Inner | None = None): return item
@app.post("/listbody")
def listbody(items: list[Inner]): return items

for path, x in [("/lit","1"),("/lit","all"),("/lit","2"),("/lit12","1"),("/lit12","3"),("/intenum","1"),("/intenum","3"),("/intenum","x"),("/intstr","1"),("/intstr","a"),("/strint","1"),("/floatint","1"),("/floatint","1.5"),("/boolint","1"),("/boolint","2"),("/boolint","x")]:
    cases.append(["GET", path, {"x": x}])
cases.append(["GET", "/ql", {"x": ["1", "2", "3"]}])
cases.append(["GET", "/ql"])
for path, body in [("/embed",'{"item":null,"importance":"2"}'),("/embed",'{"item":{"x":"1"},"importance":"2"}'),("/embed",'null'),("/embed",'[]'),("/embed",'{"item":{"x":1}}'),("/single",'"5"'),("/single",'null'),("/single",'5.5'),("/singleopt",'null'),("/singleopt",''),("/listbody",'[{"x":"1"}]'),("/listbody",'{"x":1}'),("/listbody",'null')]:
    cases.append(["POST", path, body])

import fastapi, pydantic
client = TestClient(app, raise_server_exceptions=False)
out = []
for c in cases:
    if c[0] == "GET":
        r = client.get(c[1], params=c[2] if len(c) > 2 else None, headers=c[3] if len(c) > 3 else None)
    else:
        r = client.post(c[1], content=c[2], headers={"content-type": "application/json"})
    out.append({"request": c, "status": r.status_code, "body": r.text})
print(json.dumps({"fastapi": fastapi.__version__, "pydantic": pydantic.__version__, "answers": out}, indent=1))
