"""A withdrawal that is never sent twice.

When its outcome is unknown (the reply was lost, or the service timed out or failed after
the request may have arrived), the library raises ``alphapo.OutcomeUnknownError`` instead
of guessing; this program then looks the withdrawal up by its ``foreign_id``
(``client.reconcile``) instead of sending it again with a new one.

    cargo run --release --example sandbox -- --listen 127.0.0.1:8080 &
    python3 examples/python/withdraw.py [foreign_id]

Prints ``withdrawal <foreign_id>: <status>`` and exits 0 once the answer is known,
directly or by reconciling; exits 3 while it is still unknown (wait for the withdrawal's
callback, then reconcile again), 1 on a definite refusal (nothing was applied).
"""

import os
import sys
import time
from decimal import Decimal

import alphapo

base_url = os.environ.get("ALPHAPO_BASE_URL", "http://127.0.0.1:8080/api/v2") or None
key = os.environ.get("ALPHAPO_KEY", "sandbox-key")
secret = os.environ.get("ALPHAPO_SECRET", "sandbox-secret")
foreign_id = sys.argv[1] if len(sys.argv) > 1 else f"payout-{int(time.time())}"


def main() -> int:
    with alphapo.Client(key, secret, base_url=base_url) as client:
        try:
            withdrawal = client.withdraw(
                currency="BTC",
                address="tb1qexampledestination",
                amount=Decimal("0.001"),
                foreign_id=foreign_id,
                end_user_reference="customer-42",
            )
        except alphapo.OutcomeUnknownError as e:
            # Never send it again with a new foreign_id: it may have gone out. Look it up.
            print(f"outcome unknown ({alphapo.status_name(e.cause)}): {e}")
            found = client.reconcile(e.foreign_id)
            if found is None:
                print(f"withdrawal {foreign_id}: not found yet; wait for its callback")
                return 3
            print(f"withdrawal {foreign_id}: {found.status} (reconciled)")
            return 0
        except alphapo.AlphaPoError as e:
            print(f"withdrawal {foreign_id} refused: {e}", file=sys.stderr)
            return 1
        print(f"withdrawal {foreign_id}: {withdrawal.status}")
        return 0


if __name__ == "__main__":
    sys.exit(main())
