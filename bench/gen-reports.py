#!/usr/bin/env python3
"""Writes a corpus of realistic TLS reports (RFC 8460) for the benchmarks.

  small/      N small reports (.json.gz), shaped like Google's, Microsoft's and Mail.ru's
  large.json  one report with ~100k failure-details, 50-100 MB, and large.json.gz

Usage: bench/gen-reports.py OUT_DIR [--small N] [--details N]
"""
import argparse, datetime, gzip, json, os, random

def failure(rng, i):
    return {
        "result-type": rng.choice(["certificate-expired", "certificate-host-mismatch", "starttls-not-supported",
                                   "validation-failure", "sts-policy-fetch-error", "certificate-not-trusted"]),
        "sending-mta-ip": f"203.0.{rng.randrange(0, 113)}.{rng.randrange(1, 255)}",
        "receiving-mx-hostname": f"mx{rng.randrange(1, 40)}.mail.example.com",
        "receiving-mx-helo": f"mx{rng.randrange(1, 40)}.mail.example.com",
        "receiving-ip": f"198.51.100.{rng.randrange(1, 255)}",
        "failed-session-count": rng.randrange(1, 50),
        "additional-information": f"https://reports.sender.example/tlsrpt/details/{i:08d}?session=" + "%032x" % rng.getrandbits(128),
        "failure-reason-code": "X509_V_ERR_CERT_HAS_EXPIRED: certificate has expired at depth 0; "
                               "peer presented chain of 2 certificates; " + "x" * rng.randrange(100, 300),
    }

def report(rng, i, domain, details, day="2026-11-22"):
    fails = [failure(rng, j) for j in range(details)]
    failed = sum(f["failed-session-count"] for f in fails)
    return {
        "organization-name": rng.choice(["Google Inc.", "Microsoft Corporation", "Mail.Ru", "Sender Example"]),
        "date-range": {"start-datetime": f"{day}T00:00:00Z", "end-datetime": f"{day}T23:59:59Z"},
        "contact-info": "smtp-tls-reporting@sender.example",
        "report-id": f"{day}T00:00:00Z_{domain}_{i}",
        "policies": [{
            "policy": {"policy-type": "sts", "policy-domain": domain,
                       "policy-string": ["version: STSv1", "mode: enforce", "mx: *.mail.example.com", "max_age: 604800"],
                       "mx-host": ["*.mail.example.com"]},
            "summary": {"total-successful-session-count": rng.randrange(100, 100000), "total-failure-session-count": failed},
            "failure-details": fails,
        }],
    }

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--small", type=int, default=2000)
    ap.add_argument("--details", type=int, default=100_000)
    a = ap.parse_args()
    rng = random.Random(8460)
    os.makedirs(os.path.join(a.out, "small"), exist_ok=True)
    for i in range(a.small):
        domain = rng.choice(["example.com", "example.org", "example.net"])
        # a few reports per domain and day, as a domain gets them from its senders: spread over 300 days before
        # 2026-11-22 (a flood of one day is the attack the day's bounds are for, not the usual cost)
        day = datetime.date(2026, 11, 22) - datetime.timedelta(days=(i // 3) % 300)
        begin = int(datetime.datetime(day.year, day.month, day.day, tzinfo=datetime.timezone.utc).timestamp())
        data = json.dumps(report(rng, i, domain, rng.randrange(0, 4), day.isoformat()), separators=(",", ":")).encode()
        with open(os.path.join(a.out, "small", f"sender.example!{domain}!{begin}!{begin + 86399}!{i}.json.gz"), "wb") as f:
            f.write(gzip.compress(data, mtime=0))
    big = json.dumps(report(rng, 0, "example.com", a.details), separators=(",", ":")).encode()
    with open(os.path.join(a.out, "large.json"), "wb") as f:
        f.write(big)
    with open(os.path.join(a.out, "large.json.gz"), "wb") as f:
        f.write(gzip.compress(big, mtime=0))
    print(f"{a.small} small reports in {a.out}/small; large.json {len(big) / 1e6:.1f} MB with {a.details} failure-details")

if __name__ == "__main__":
    main()
