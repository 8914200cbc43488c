"""zhengxie.middleware.CollectAfterResponseMiddleware: the cyclic garbage collector waits while a request
is built and collects once the response has been sent."""

import gc
import weakref

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.test import RequestFactory

from zhengxie import middleware
from zhengxie.middleware import REQUEST_GC_THRESHOLD, CollectAfterResponseMiddleware


class Node:
    def __init__(self):
        self.me = self  # a cycle: only the collector frees it


def test_it_comes_first_so_the_whole_request_is_covered():
    assert settings.MIDDLEWARE[0] == "zhengxie.middleware.CollectAfterResponseMiddleware"


@pytest.mark.django_db  # request_finished also closes old database connections
def test_the_collector_waits_during_the_request_and_collects_after_the_response():
    normal = gc.get_threshold()
    seen = {}

    def view(request):
        seen["threshold"] = gc.get_threshold()
        nodes = [Node() for _ in range(5000)]  # cyclic garbage, more than Python's 700
        seen["refs"] = [weakref.ref(n) for n in nodes]
        return HttpResponse("ok")

    response = CollectAfterResponseMiddleware(view)(RequestFactory().get("/"))
    assert seen["threshold"] == (REQUEST_GC_THRESHOLD, *normal[1:])
    assert gc.get_threshold()[0] == REQUEST_GC_THRESHOLD  # until the server has written the response
    [[] for _ in range(1000)]  # allocations that would have collected the view's garbage at Python's 700
    assert all(ref() is not None for ref in seen["refs"])  # nothing collected while the response is sent
    response.close()  # the server is done: request_finished
    assert gc.get_threshold() == normal
    [[] for _ in range(1000)]  # the next allocations find the collection due
    assert all(ref() is None for ref in seen["refs"])


def test_an_exception_puts_the_threshold_back():
    normal = gc.get_threshold()

    def view(request):
        raise ValueError("boom")

    with pytest.raises(ValueError):
        CollectAfterResponseMiddleware(view)(RequestFactory().get("/"))
    assert gc.get_threshold() == normal


@pytest.mark.django_db
def test_a_page_through_the_whole_stack_leaves_the_usual_threshold(client, staff_user):
    normal = gc.get_threshold()
    client.force_login(staff_user)
    assert client.get("/workbench/").status_code == 200
    assert gc.get_threshold() == normal
    assert middleware._normal_threshold == normal
