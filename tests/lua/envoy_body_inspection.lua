-- Envoy-style body inspection, run unchanged by weft's `lua` filter: the request body decides,
-- and the response carries the size of its own body (as in Envoy's Lua sandbox example).
function envoy_on_request(request_handle)
  local body = request_handle:body()
  if body ~= nil and string.find(body:getBytes(0, body:length()), "forbidden", 1, true) then
    request_handle:respond({[":status"] = "403"}, "body refused")
  end
end

function envoy_on_response(response_handle)
  local body_size = response_handle:body():length()
  response_handle:headers():add("response-body-size", tostring(body_size))
end
