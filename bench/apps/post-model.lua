-- wrk: POST the ten-field item of model-item.json to every URL given.
local f = assert(io.open(os.getenv("MODEL_BODY_FILE") or "apps/model-item.json", "r"))
wrk.method = "POST"
wrk.body = f:read("*a"):gsub("%s+$", "")
f:close()
wrk.headers["Content-Type"] = "application/json"
