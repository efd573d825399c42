"""What the app's Recharts charts share."""

# Axis figures in Indian short form (1.2L, 3.5Cr), so a chart keeps its width on a tablet.
SHORT_NUMBER = (
    "(value) => new Intl.NumberFormat('en-IN', {notation: 'compact', maximumFractionDigits: 1}).format(value)"
)
