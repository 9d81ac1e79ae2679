"""schemathesis hooks for `npm run test:contract` (docs/decisions.md, issue 10).

Two rules of the contract that JSON Schema cannot state, stated in the document's words and checked by the API;
here the generator learns them, so that a request schemathesis calls valid is valid:
- the invoice of a payment request is a PDF: its bytes start with %PDF- (the `invoice` part's encoding says
  application/pdf; schemathesis knows the signatures of PNG, JPEG, GIF and WebP only, and sent a PNG as a PDF);
- a project's client and provider are different users (client.id != provider.id, a rule across two fields).

And one rule of the protocol a client keeps: an Idempotency-Key names one request. schemathesis draws keys from the
pattern and sends the same few ("0", "00"…) with many different requests, so most of them stopped at the 422
idempotency-key-reused and never reached their body's checks. A valid key is made fresh for each request; invalid
keys are sent as drawn (the server refuses them, 400). Replays are tested in tests/security/hardening.test.ts.
"""

import re
import uuid

import schemathesis
from hypothesis import strategies as st

# api/idempotency.ts, IDEMPOTENCY_KEY_PATTERN
IDEMPOTENCY_KEY = re.compile(r'(?:"[!#-~]{1,255}"|[!#-~]{1,255})')

schemathesis.openapi.media_type(
    "application/pdf",
    st.builds(lambda body: b"%PDF-1.4\n" + body + b"\n%%EOF\n", st.binary(max_size=64)),
)


@schemathesis.hook
def before_call(context, case, kwargs):
    key = (case.headers or {}).get("Idempotency-Key")
    if isinstance(key, str) and IDEMPOTENCY_KEY.fullmatch(key):
        case.headers["Idempotency-Key"] = uuid.uuid4().hex
    if case.operation.label != "POST /v1/projects" or not isinstance(case.body, dict):
        return
    client, provider = case.body.get("client"), case.body.get("provider")
    if isinstance(client, dict) and isinstance(provider, dict) and "id" in client and client.get("id") == provider.get("id"):
        provider["id"] = "q" if client["id"] == "p" else "p"
