"""Django's Redis cache, with one redis-py client per connection pool instead of one per operation.

django.core.cache.backends.redis builds a `redis.Redis` for every get and set (its __init__ fills a table
of ~170 response callbacks: ~60–100 µs, more than the GET it sends); a list page reads its remembered
figures in three to six operations. A redis-py client is safe to share between threads (each command takes
a connection from the pool), so each pool's is built once. Settings name it where FIGURES_CACHE_URL is set.
"""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient


class RedisCacheClient(DjangoRedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)  # the pools live as long as this object: their ids are stable
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
