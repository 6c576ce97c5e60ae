#!/usr/bin/env python3
"""page_layout.py CHROMIUM URL WIDTH SCHEME PNG: load URL in headless
Chromium at WIDTH css pixels (a phone's height below 600 px wide, else a
desktop's), with prefers-color-scheme SCHEME (light or dark), save a
screenshot to PNG and print the layout as "key=value" lines:

  scroll_width  the document's width: more than WIDTH means a horizontal
                scroll bar
  result_bottom the bottom of #result, in css pixels (-1 without one)
  viewport      the height of the window

It speaks the DevTools protocol over a WebSocket (RFC 6455) written out
here, so it needs nothing but Python and Chromium; the page's
Content-Security-Policy does not apply to what DevTools evaluates.  Every
wait is bounded."""
import base64, json, os, shutil, socket, struct, subprocess, sys, tempfile
import time, urllib.request

DEADLINE = 45  # seconds for the whole run


class WebSocket:
    def __init__(self, url):
        rest = url.split("://", 1)[1]
        hostport, path = rest.split("/", 1)
        host, port = hostport.rsplit(":", 1)
        self.s = socket.create_connection((host, int(port)), timeout=20)
        key = base64.b64encode(os.urandom(16)).decode()
        self.s.sendall(("GET /%s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket"
                        "\r\nConnection: Upgrade\r\nSec-WebSocket-Key: %s\r\n"
                        "Sec-WebSocket-Version: 13\r\n\r\n"
                        % (path, hostport, key)).encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.s.recv(1)
            if not chunk:
                raise OSError("websocket handshake: closed")
            head += chunk
        if b" 101 " not in head.split(b"\r\n", 1)[0]:
            raise OSError("websocket handshake: %r" % head[:80])

    def _read(self, n):
        buf = b""
        while len(buf) < n:
            chunk = self.s.recv(n - len(buf))
            if not chunk:
                raise OSError("websocket closed")
            buf += chunk
        return buf

    def send(self, text):
        data = text.encode()
        mask = os.urandom(4)
        n = len(data)
        if n < 126:
            head = struct.pack("!BB", 0x81, 0x80 | n)
        elif n < 65536:
            head = struct.pack("!BBH", 0x81, 0x80 | 126, n)
        else:
            head = struct.pack("!BBQ", 0x81, 0x80 | 127, n)
        body = bytes(b ^ mask[i % 4] for i, b in enumerate(data))
        self.s.sendall(head + mask + body)

    def recv(self):
        message = b""
        while True:
            b0, b1 = self._read(2)
            n = b1 & 0x7F
            if n == 126:
                n = struct.unpack("!H", self._read(2))[0]
            elif n == 127:
                n = struct.unpack("!Q", self._read(8))[0]
            payload = self._read(n)
            if b0 & 0x0F in (0x9, 0xA):  # ping, pong: not ours
                continue
            message += payload
            if b0 & 0x80:
                return message.decode()


class Page:
    def __init__(self, ws):
        self.ws = ws
        self.n = 0

    def call(self, method, **params):
        self.n += 1
        self.ws.send(json.dumps({"id": self.n, "method": method,
                                 "params": params}))
        while True:
            m = json.loads(self.ws.recv())
            if m.get("id") == self.n:
                if "error" in m:
                    raise OSError("%s: %s" % (method, m["error"]))
                return m["result"]

    def wait_event(self, name):
        while time.time() < start + DEADLINE:
            m = json.loads(self.ws.recv())
            if m.get("method") == name:
                return m
        raise OSError("no " + name)

    def eval(self, expr):
        return self.call("Runtime.evaluate", expression=expr,
                         returnByValue=True)["result"].get("value")


start = time.time()
chromium, url, width, scheme, png = sys.argv[1:6]
width = int(width)
height = 844 if width < 600 else 900
profile = tempfile.mkdtemp(prefix="page_layout.")
proc = subprocess.Popen(
    [chromium, "--headless", "--no-sandbox", "--disable-gpu",
     "--no-first-run", "--disable-background-networking",
     "--disable-component-update", "--disable-sync", "--hide-scrollbars",
     "--remote-debugging-port=0", "--user-data-dir=" + profile,
     "about:blank"],
    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    env=dict(os.environ, HOME=profile))
try:
    portfile = os.path.join(profile, "DevToolsActivePort")
    while not os.path.exists(portfile) or os.path.getsize(portfile) == 0:
        if time.time() > start + DEADLINE or proc.poll() is not None:
            sys.exit("chromium did not open its DevTools port")
        time.sleep(0.1)
    port = open(portfile).read().split()[0]
    targets = []
    while not targets:
        if time.time() > start + DEADLINE:
            sys.exit("no page target")
        with urllib.request.urlopen("http://127.0.0.1:%s/json/list" % port,
                                    timeout=10) as r:
            targets = [t for t in json.load(r) if t["type"] == "page"]
        if not targets:
            time.sleep(0.1)
    page = Page(WebSocket(targets[0]["webSocketDebuggerUrl"]))
    page.call("Page.enable")
    page.call("Emulation.setDeviceMetricsOverride", width=width,
              height=height, deviceScaleFactor=1, mobile=width < 600)
    page.call("Emulation.setEmulatedMedia", features=[
        {"name": "prefers-color-scheme", "value": scheme}])
    page.call("Page.navigate", url=url)
    page.wait_event("Page.loadEventFired")
    shot = page.call("Page.captureScreenshot", format="png")
    with open(png, "wb") as f:
        f.write(base64.b64decode(shot["data"]))
    print("scroll_width=%s" % page.eval(
        "document.documentElement.scrollWidth"))
    print("result_bottom=%s" % page.eval(
        "(function(){var r=document.getElementById('result');"
        "return r ? Math.ceil(r.getBoundingClientRect().bottom) : -1})()"))
    print("viewport=%s" % page.eval("window.innerHeight"))
    print("background=%s" % page.eval(
        "getComputedStyle(document.body).backgroundColor"))
finally:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    shutil.rmtree(profile, ignore_errors=True)
