#!/usr/bin/env python3
"""Coordinator file-mode handler: reads the batch CSV at $COORDINATOR_INPUT (header first) and writes it with a
"tax" column to $COORDINATOR_OUTPUT. A row whose price is not a number fails the batch (exit 3, FailBatch)."""
import csv
import os
import sys
from decimal import Decimal, InvalidOperation


def main() -> int:
    rate = Decimal(os.environ.get("TAX_RATE", "0"))
    with open(os.environ["COORDINATOR_INPUT"], newline="", encoding="utf-8") as source, \
            open(os.environ["COORDINATOR_OUTPUT"], "w", newline="", encoding="utf-8") as target:
        reader = csv.DictReader(source)
        writer = csv.DictWriter(target, fieldnames=[*reader.fieldnames, "tax"])
        writer.writeheader()
        for number, row in enumerate(reader, start=2):
            try:
                price = Decimal(row["price"])
            except (InvalidOperation, KeyError):
                print(f"row {number}: price {row.get('price')!r} is not a number", file=sys.stderr)
                return 3
            writer.writerow({**row, "tax": str((price * rate).quantize(Decimal("0.01")))})
    return 0


if __name__ == "__main__":
    sys.exit(main())
