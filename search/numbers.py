"""Numbers as words, for reading queries (`il six`) and the counts of abstracts ("forty-two
patients"): zero to nineteen, then the tens. A module of its own so that curation reads them
without loading the query reader."""

# fmt: off
UNITS = (
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen",
)
TENS = ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
# fmt: on
