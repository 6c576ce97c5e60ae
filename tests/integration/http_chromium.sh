#!/bin/sh
# http_chromium.sh - the calculator page in a real browser, headless
# Chromium: the answer of /?expr=6*7 in #result, the form submitted as a
# browser submits it (its method, action and input name read from the
# DOM), no Content-Security-Policy violation, and a screenshot.  TAP on
# stdout; skipped without /usr/bin/chromium (CI installs it).
#
# Run by "make check"; by hand:
#   top_builddir=. top_srcdir=. sh tests/integration/http_chromium.sh
# CHROMIUM selects another binary; CALCD_KEEP_TMP=1 keeps the screenshot.

CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$CHROMIUM" ]; then
	echo "1..0 # SKIP chromium not installed"
	exit 0
fi

. "${top_srcdir:-.}/tests/lib.sh"

command -v python3 >/dev/null 2>&1 || skip_all "python3 not found"

# dom.py result|form|value FILE: from a DOM that Chromium dumped, the text
# of #result, or "METHOD ACTION NAME SUBMIT" of the first form (NAME of
# its first text input, SUBMIT the number of its submit buttons), or the
# value of the input named expr.
cat >"$T/dom.py" <<'EOF'
import sys
from html.parser import HTMLParser

class Dom(HTMLParser):
    def __init__(self):
        super().__init__()
        self.depth = 0
        self.result = []
        self.form = None
        self.name = None
        self.value = None
        self.submits = 0
        self.in_form = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if self.depth and tag not in ("input", "br", "img"):
            self.depth += 1
        elif a.get("id") == "result":
            self.depth = 1
        if tag == "form" and self.form is None:
            self.form = a
            self.in_form = True
        if not self.in_form:
            return
        if tag == "input" and a.get("type", "text") == "text":
            if self.name is None:
                self.name = a.get("name")
            if a.get("name") == "expr":
                self.value = a.get("value", "")
        if tag == "button" and a.get("type", "submit") == "submit":
            self.submits += 1
        if tag == "input" and a.get("type") == "submit":
            self.submits += 1

    def handle_endtag(self, tag):
        if self.depth:
            self.depth -= 1
        if tag == "form":
            self.in_form = False

    def handle_data(self, data):
        if self.depth:
            self.result.append(data)

d = Dom()
d.feed(open(sys.argv[2], encoding="utf-8").read())
if sys.argv[1] == "result":
    print(" ".join("".join(d.result).split()))
elif sys.argv[1] == "value":
    print(d.value)
elif d.form is not None:
    print(d.form.get("method", "get").lower(), d.form.get("action"),
          d.name, d.submits)
EOF

# url.py BASE ACTION NAME VALUE: the URL a browser submits a GET form to.
cat >"$T/url.py" <<'EOF'
import sys
from urllib.parse import urljoin, urlencode
base, action, name, value = sys.argv[1:5]
print(urljoin(base, action) + "?" + urlencode({name: value}))
EOF

# chromium ARGS...: headless Chromium with a profile of its own, in the
# temporary directory, its log in $T/chromium.log; 60 s at most.
chromium() {
	HOME=$T bounded 60 "$CHROMIUM" --headless --no-sandbox --disable-gpu \
	    --disable-quic --no-first-run --disable-background-networking \
	    --disable-component-update --disable-sync \
	    --user-data-dir="$T/profile" --enable-logging=stderr --v=0 \
	    "$@" 2>>"$T/chromium.log"
}

port=%%port%%
calcd_start <<EOF || bail_out "calcd did not start"
user nobody
listen http 127.0.0.1:$port
workers-min-spare 2
workers-max-spare 4
EOF
U="http://127.0.0.1:$port"

chromium --dump-dom "$U/?expr=6*7" >"$T/answer.html"
ok "Chromium loads /?expr=6*7" test -s "$T/answer.html"
is "#result shows 6*7 = 42" "$(python3 "$T/dom.py" result \
    "$T/answer.html")" "6*7 = 42"

chromium --dump-dom "$U/" >"$T/page.html"
form=$(python3 "$T/dom.py" form "$T/page.html")
is "the page has a GET form to / with an input named expr" "$form" \
    "get / expr 1"
ok "no #result before a question" \
    test -z "$(python3 "$T/dom.py" result "$T/page.html")"

# submit the form as the browser does: GET ACTION?NAME=VALUE, encoded
read -r f_method f_action f_name f_submits <<EOF
$form
EOF
ok "the form is GET with a submit button" \
    test "$f_method $f_submits" = "get 1"
url=$(python3 "$T/url.py" "$U/" "${f_action:-/}" "${f_name:-expr}" '6*7')
is "the form submits to /?expr=6%2A7" "$url" "$U/?expr=6%2A7"
chromium --dump-dom "$url" >"$T/submitted.html"
is "the submitted form shows 42" "$(python3 "$T/dom.py" result \
    "$T/submitted.html")" "6*7 = 42"
is "the input keeps the expression" "$(python3 "$T/dom.py" value \
    "$T/submitted.html")" "6*7"

url=$(python3 "$T/url.py" "$U/" / expr '1/0')
chromium --dump-dom "$url" >"$T/error.html"
is "an error shows in #result" "$(python3 "$T/dom.py" result \
    "$T/error.html")" "1/0 = error: division by zero"

url=$(python3 "$T/url.py" "$U/" / expr '"><script>alert(1)</script>')
chromium --dump-dom "$url" >"$T/xss.html"
ok "markup in the expression stays text" sh -c \
    "! grep -q '<script' '$T/xss.html'"

chromium --window-size=1024,768 --screenshot="$T/answer.png" \
    "$U/?expr=2%5E64" >/dev/null
ok "a screenshot of the answer page" python3 -c '
import sys
sys.exit(open(sys.argv[1], "rb").read(8) != b"\x89PNG\r\n\x1a\n")' \
    "$T/answer.png"
# The page at a desktop's and a phone's width, light and dark, with a
# result and an earlier error carried in the query: screenshots (kept
# with CALCD_KEEP_TMP=1), no horizontal scroll, the result in view.
shots="$U/?expr=2%5E64&h=x%3D3&h=1%2F0"
for width in 1200 390; do
	for scheme in light dark; do
		png=$T/page-$width-$scheme.png
		bounded 60 python3 "$top_srcdir/tests/integration/page_layout.py" \
		    "$CHROMIUM" "$shots" "$width" "$scheme" "$png" \
		    >"$T/layout" 2>>"$T/chromium.log"
		sw=$(sed -n 's/^scroll_width=//p' "$T/layout")
		rb=$(sed -n 's/^result_bottom=//p' "$T/layout")
		vh=$(sed -n 's/^viewport=//p' "$T/layout")
		eval "bg_$scheme=\$(sed -n 's/^background=//p' \"\$T/layout\")"
		ok "$width px, $scheme: a screenshot" python3 -c '
import sys
sys.exit(open(sys.argv[1], "rb").read(8) != b"\x89PNG\r\n\x1a\n")' "$png"
		ok "$width px, $scheme: no horizontal scroll (${sw:-?} px)" \
		    test "${sw:-99999}" -le "$width"
		ok "$width px, $scheme: the result in view (${rb:-?} of ${vh:-?} px)" \
		    test "${rb:--1}" -gt 0 -a "${rb:-99999}" -le "${vh:-0}"
	done
	ok "$width px: dark is not light ($bg_light, $bg_dark)" \
	    test -n "$bg_dark" -a "$bg_light" != "$bg_dark"
done

# /headers: a page for a browser (its Accept names text/html), JSON else.
chromium --dump-dom "$U/headers" >"$T/headers.html"
ok "/headers in a browser is a table" grep -q '<td>Host</td>' \
    "$T/headers.html"

ok "no Content-Security-Policy violation" sh -c \
    "! grep -i 'content security policy' '$T/chromium.log'"

calcd_stop
is "calcd exits 0 on SIGTERM" "$CALCD_STATUS" 0
done_testing
