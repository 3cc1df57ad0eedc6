"""Django: an AlphaPo callback endpoint (POST /alphapo/callback).

    ALPHAPO_KEY=sandbox-key ALPHAPO_SECRET=sandbox-secret ALPHAPO_CALLBACK_PORT=8000 \\
        python3 examples/python/frameworks/django_app.py

In a project the view goes into views.py, the path into urls.py and the key and secret
into settings; run standalone, this file configures a minimal Django and starts its
development server.
"""

import os
import sys

from django.http import HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from endpoint import answer_callback  # verify, parse, process once: endpoint.py


@csrf_exempt  # the service cannot send a CSRF token; the signature authenticates it
@require_POST
def alphapo_callback(request):
    # The raw body bytes (never json.loads(...) first); an exception answers 500.
    return HttpResponse(status=answer_callback(request.body, request.headers))


urlpatterns = [path("alphapo/callback", alphapo_callback)]

if __name__ == "__main__":
    from django.conf import settings
    from django.core.management import execute_from_command_line

    settings.configure(
        ROOT_URLCONF=__name__,
        ALLOWED_HOSTS=["127.0.0.1", "localhost"],
        SECRET_KEY=os.urandom(32).hex(),  # Django's own; unrelated to the AlphaPo secret
        MIDDLEWARE=[],
    )
    port = os.environ.get("ALPHAPO_CALLBACK_PORT", "8000")
    execute_from_command_line([sys.argv[0], "runserver", f"127.0.0.1:{port}", "--noreload"])
