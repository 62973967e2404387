"""The CLF-C02 exam guide as data: its domains, their weights and their task statements.

Every question names the domain and the task statement it serves; an exam draws questions in
the domains' proportions.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Domain:
    number: int
    name: str
    weight: float
    tasks: dict[str, str]


DOMAINS: dict[int, Domain] = {
    1: Domain(
        1,
        "Cloud Concepts",
        0.24,
        {
            "1.1": "Define the benefits of the AWS Cloud",
            "1.2": "Identify design principles of the AWS Cloud",
            "1.3": "Understand the benefits of and strategies for migration to the AWS Cloud",
            "1.4": "Understand concepts of cloud economics",
        },
    ),
    2: Domain(
        2,
        "Security and Compliance",
        0.30,
        {
            "2.1": "Understand the AWS shared responsibility model",
            "2.2": "Understand AWS Cloud security, governance and compliance concepts",
            "2.3": "Identify AWS access management capabilities",
            "2.4": "Identify components and resources for security",
        },
    ),
    3: Domain(
        3,
        "Cloud Technology and Services",
        0.34,
        {
            "3.1": "Define methods of deploying and operating in the AWS Cloud",
            "3.2": "Define the AWS global infrastructure",
            "3.3": "Identify AWS compute services",
            "3.4": "Identify AWS database services",
            "3.5": "Identify AWS network services",
            "3.6": "Identify AWS storage services",
            "3.7": "Identify AWS artificial intelligence and machine learning (AI/ML) and analytics services",
            "3.8": "Identify services from other in-scope AWS service categories",
        },
    ),
    4: Domain(
        4,
        "Billing, Pricing and Support",
        0.12,
        {
            "4.1": "Compare AWS pricing models",
            "4.2": "Understand resources for billing, budget and cost management",
            "4.3": "Identify AWS technical resources and AWS Support options",
        },
    ),
}


OWN_DECKS = "Your own decks"
"""Where a workspace's own deck's questions count when they name no exam domain (issue 18): a
deck may leave the exam guide's fields out, and its questions then have domain 0."""


def domain_title(number: int) -> str:
    """A domain's title, as "Domain 2: Security and Compliance". A deck's question outside the
    exam guide is counted under "Your own decks", never under a "Domain 0" the exam lacks."""
    domain = DOMAINS.get(number)
    return f"Domain {number}: {domain.name}" if domain else OWN_DECKS
