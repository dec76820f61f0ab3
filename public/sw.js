// Master IA's service worker: makes the app installable and keeps its shell (the WASM bundle,
// its JS glue, the CSS, the icons) available when the network is slow or gone. It never caches
// the API or the WebSocket: conversations are always live data.
const CACHE = 'master-ia-shell-v1';
const SHELL = ['/pkg/master-ia.js', '/pkg/master-ia.wasm', '/pkg/master-ia.css', '/manifest.webmanifest', '/icon-192.png'];

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((key) => key !== CACHE).map((key) => caches.delete(key))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin || url.pathname.startsWith('/api/')) return;
  if (url.pathname.startsWith('/pkg/') || SHELL.includes(url.pathname)) {
    // Stale while revalidate: the cached bundle starts the app at once, a fresh one is fetched
    // for next time (the files keep their names across releases).
    event.respondWith(
      caches.open(CACHE).then(async (cache) => {
        const cached = await cache.match(request);
        const fresh = fetch(request)
          .then((response) => {
            if (response.ok) cache.put(request, response.clone());
            return response;
          })
          .catch(() => cached);
        return cached || fresh;
      }),
    );
    return;
  }
  if (request.mode === 'navigate') {
    // Pages: always from the network; the last copy of the page only when offline.
    event.respondWith(
      fetch(request)
        .then((response) => {
          if (response.ok) {
            const copy = response.clone();
            caches.open(CACHE).then((cache) => cache.put(request, copy));
          }
          return response;
        })
        .catch(() => caches.match(request).then((cached) => cached || caches.match('/inbox'))),
    );
  }
});
