# A stand-in for a VictoriaMetrics build that ships VMUI, for checking VMUI through central-ingest by hand
# (central-ingest/README.md, "VMUI"): serves VMUI's built files (VictoriaMetrics' app/vmselect/vmui) and
# its config paths as VictoriaMetrics does, and passes every other path to a VictoriaMetrics without VMUI.
# python3 vmui-standin.py <dir of VMUI files> http://127.0.0.1:8428 28431
import http.server, urllib.request, os, sys
ROOT = sys.argv[1]; VM = sys.argv[2]; PORT = int(sys.argv[3])
class H(http.server.BaseHTTPRequestHandler):
    def send(self, code, ctype, body):
        self.send_response(code); self.send_header("Content-Type", ctype); self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)
    def handle_any(self):
        path = self.path.split("?")[0]
        if path.startswith("/prometheus/"): path = path[len("/prometheus"):]
        if path == "/vmui/config.json": return self.send(200, "application/json", b'{"license":{"type":"opensource"},"version":"v1.79.5"}')
        if path == "/vmui/timezone": return self.send(200, "application/json", b'{"timezone": "UTC"}')
        if path == "/vmui/custom-dashboards": return self.send(200, "application/json", b'{"dashboardsSettings": []}')
        if path.startswith("/vmui/"):
            f = os.path.join(ROOT, path[len("/vmui/"):] or "index.html")
            if os.path.isfile(f):
                ct = "text/html" if f.endswith(".html") else "application/javascript" if f.endswith(".js") else "text/css" if f.endswith(".css") else "image/svg+xml" if f.endswith(".svg") else "application/octet-stream"
                return self.send(200, ct, open(f, "rb").read())
            return self.send(404, "text/plain", b"404 page not found\n")
        n = int(self.headers.get("Content-Length") or 0); data = self.rfile.read(n) if n else None
        req = urllib.request.Request(VM + self.path, data=data, method=self.command)
        if self.headers.get("Content-Type"): req.add_header("Content-Type", self.headers["Content-Type"])
        try: r = urllib.request.urlopen(req, timeout=30); code = r.status
        except urllib.error.HTTPError as e: r = e; code = e.code
        self.send(code, r.headers.get("Content-Type") or "text/plain", r.read())
    do_GET = handle_any; do_POST = handle_any
http.server.ThreadingHTTPServer(("127.0.0.1", PORT), H).serve_forever()
