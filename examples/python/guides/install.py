# connectly-example: run
"""Install: print the SDK's version and make a client from the environment.

    pip install connectly-sdk
    CONNECTLY_API_KEY=... CONNECTLY_BUSINESS_ID=... python install.py

Against the local mock, also set CONNECTLY_BASE_URL (``connectly mock --env-file FILE``
writes all three). Exits non-zero if the installed version or the client is not as shown.
"""

import os
import sys
from importlib.metadata import version

# --8<-- [start:version]
import connectly

print(f"connectly-sdk {connectly.__version__}")
# --8<-- [end:version]

if connectly.__version__ != version("connectly-sdk"):
    sys.exit(f"FAILED: connectly.__version__ is not the installed {version('connectly-sdk')}")

# --8<-- [start:client]
# CONNECTLY_API_KEY and CONNECTLY_BUSINESS_ID (and CONNECTLY_BASE_URL, when set)
client = connectly.Client()
templates = client.list_templates()  # a first call: the key and the business id work
print(f"business {client.business_id}: {len(templates)} template(s)")
# --8<-- [end:client]

if client.business_id != os.environ["CONNECTLY_BUSINESS_ID"]:
    sys.exit("FAILED: the client does not use CONNECTLY_BUSINESS_ID")
if not templates or not all(t.name for t in templates):
    sys.exit("FAILED: the mock's sample templates were not listed")
