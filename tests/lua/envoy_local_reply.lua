-- Envoy-style local reply, run unchanged by weft's `lua` filter: requests without a token never
-- reach the upstream.
function envoy_on_request(request_handle)
  if request_handle:headers():get("authorization") == nil then
    request_handle:respond(
      {[":status"] = "401", ["www-authenticate"] = "Bearer"},
      "missing token")
  end
end
