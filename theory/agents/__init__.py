"""Phase transitions in budgeted multi-agent majority-vote trees."""
