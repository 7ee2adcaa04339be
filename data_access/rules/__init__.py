"""Plain business rules: no database, no Streamlit. Tested on their own."""
