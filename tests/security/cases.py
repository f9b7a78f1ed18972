"""The attack cases the security tests run, in one place so docs/security.md can count them."""

from __future__ import annotations

# URLs a tenant may not make the server call (scheme, credentials, or a non-public address in
# any of its spellings). Each is refused when saved and again at delivery.
SSRF_REFUSED_URLS = [
    # not http(s), or no host, or credentials
    "file:///etc/passwd",
    "ftp://example.org/x",
    "gopher://127.0.0.1:6379/_INFO",
    "dict://127.0.0.1:11211/stats",
    "javascript:alert(1)",
    "http://",
    "http://user:secret@example.org/",
    "http://example.org@127.0.0.1/",
    # IPv4 loopback in its spellings
    "http://127.0.0.1/",
    "http://127.0.0.1:5432/",
    "http://127.1/",
    "http://2130706433/",
    "http://0x7f000001/",
    "http://0177.0.0.1/",
    "http://localhost:6379/",
    "http://LOCALHOST./",
    # unspecified, private, shared, link-local (cloud metadata), benchmark, documentation
    "http://0.0.0.0/",
    "http://0/",
    "http://10.0.0.1/",
    "http://172.16.0.1/",
    "http://172.31.255.254/",
    "http://192.168.1.1/",
    "http://100.64.0.1/",
    "http://169.254.169.254/latest/meta-data/",
    "http://198.18.0.1/",
    "http://192.0.2.1/",
    "http://192.0.0.1/",
    # multicast, reserved, broadcast
    "http://224.0.0.1/",
    "http://240.0.0.1/",
    "http://255.255.255.255/",
    # IPv6 loopback, unspecified, unique-local, link-local, site-local, multicast, documentation
    "http://[::1]/",
    "http://[::]/",
    "http://[fc00::1]/",
    "http://[fd12:3456::1]/",
    "http://[fe80::1]/",
    "http://[fec0::1]/",
    "http://[ff02::1]/",
    "http://[2001:db8::1]/",
    # IPv4 hidden in IPv6: mapped, compatible, 6to4, NAT64, Teredo
    "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:7f00:1]/",
    "http://[::ffff:169.254.169.254]/",
    "http://[::ffff:10.0.0.1]/",
    "http://[::127.0.0.1]/",
    "http://[2002:7f00:1::]/",
    "http://[2002:c0a8:101::1]/",
    "http://[64:ff9b::7f00:1]/",
    "http://[64:ff9b::a9fe:a9fe]/",
    "http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/",
]

# Spreadsheet formula payloads: each must come out of every export as text.
FORMULA_PAYLOADS = [
    "=1+1",
    '=HYPERLINK("http://evil.example/","click")',
    "=cmd|' /C calc'!A0",
    "+1+1",
    "-1+1",
    "@SUM(1+1)",
    "\t=1+1",
    "\r=1+1",
    "=1+1\n",
    " =1+1",
]
