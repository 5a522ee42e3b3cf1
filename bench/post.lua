-- wrk: POST a referral as a GP system would. Token and body come from the environment.
wrk.method = "POST"
wrk.body = os.getenv("BENCH_BODY")
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. (os.getenv("BENCH_TOKEN") or "")

-- Print the first answer of each status, so a run of errors explains itself.
local seen = {}
response = function(status, headers, body)
  if not seen[status] then
    seen[status] = true
    print("status " .. status .. ": " .. body:sub(1, 160))
  end
end
