-- Envoy-style external authorization, run unchanged by weft's `lua` filter: every request is
-- first shown to the "auth" cluster; a 403 from it is passed on to the client, anything else lets
-- the request through with the verdict recorded. The test picks the verdict with x-auth-verdict
-- (the auth upstream answers /status/<code> with that code).
function envoy_on_request(request_handle)
  local verdict = request_handle:headers():get("x-auth-verdict") or "200"
  local headers, body = request_handle:httpCall(
    "auth",
    {
      [":method"] = "POST",
      [":path"] = "/status/" .. verdict,
      [":authority"] = "auth"
    },
    "",
    5000)
  if headers == nil then
    request_handle:respond({[":status"] = "503"}, "auth unavailable: " .. body)
  elseif headers[":status"] == "403" then
    request_handle:respond({[":status"] = "403"}, "denied by auth")
  else
    request_handle:headers():add("x-auth-status", headers[":status"])
  end
end
