import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhengxie.settings")

from zhengxie.startup import require_secret_key, warm_up  # noqa: E402

require_secret_key()  # a serving process never starts without the production secret
application = get_wsgi_application()
warm_up()
