"""The customer's checkout: details form, payment hand-off, success page and bill of sale."""
