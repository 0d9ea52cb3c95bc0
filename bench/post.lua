-- wrk script: the documented text message, as Client::send_text sends it.
wrk.method = "POST"
wrk.body = '{"recipient":{"channelType":"whatsapp","id":"+15555555555"},"message":{"text":"hello!"}}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json"
wrk.headers["X-API-Key"] = os.getenv("CONNECTLY_API_KEY") or "mock-api-key"
