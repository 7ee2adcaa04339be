"""The sample data: the report baseline and the illustrative quarterly returns,
with the scripts that make and check them."""
