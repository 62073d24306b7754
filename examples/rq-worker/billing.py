"""The billing service's job: its arguments and result are dataclasses; the function itself runs
in TypeScript (examples/rq-worker/main.ts), so Python only needs its name."""
import dataclasses


@dataclasses.dataclass
class Invoice:
    number: int
    customer: str
    amounts: list
    vat_rate: float = 0.2


@dataclasses.dataclass
class Total:
    number: int
    net: float
    vat: float
    gross: float


def invoice_total(invoice):
    raise NotImplementedError('runs on the TypeScript worker')
