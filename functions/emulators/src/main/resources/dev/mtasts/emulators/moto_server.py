"""moto_server, with the two fields of an API Gateway v2 custom domain that AWS always returns and moto 5 leaves out,
and one RSA key for all the certificates it issues.

AWS answers CreateDomainName/GetDomainName with DomainNameConfigurations[].ApiGatewayDomainName (the regional target,
d-<id>.execute-api.<region>.amazonaws.com) and HostedZoneId (API Gateway's zone in that region): the alias records of
mta-sts.<domain> point there. moto models neither, so this launcher adds them, and the status AWS reports once the domain
is ready. moto also makes and checks a new 2048-bit RSA key for every certificate it issues, a fifth of a second
each: the lifecycle never sees those keys, so one is made and checked once. Everything else is moto as installed. Arguments are
moto_server's (-H HOST -p PORT).
"""
import functools
import hashlib
import sys

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from moto.apigatewayv2 import models
from moto.server import main

rsa.generate_private_key = functools.lru_cache(maxsize=None)(rsa.generate_private_key)
serialization.load_pem_private_key = functools.lru_cache(maxsize=None)(serialization.load_pem_private_key)

# the shape of AWS's answer; the values only need to be stable (nothing resolves them under an emulator)
ZONE = "Z1UJRXOUMOOFQ8"

_init = models.DomainName.__init__


def _init_with_target(self, domain_name, domain_name_configurations, *args, **kwargs):
    region = kwargs["backend"].region_name if "backend" in kwargs else args[-1].region_name
    ident = "d-" + hashlib.sha256(domain_name.encode()).hexdigest()[:10]
    for config in domain_name_configurations:
        config.setdefault("apiGatewayDomainName", f"{ident}.execute-api.{region}.amazonaws.com")
        config.setdefault("hostedZoneId", ZONE)
        config.setdefault("domainNameStatus", "AVAILABLE")
    _init(self, domain_name, domain_name_configurations, *args, **kwargs)


models.DomainName.__init__ = _init_with_target

if __name__ == "__main__":
    main(sys.argv[1:])
