"""Streamlit dashboard on the published marts (`kefu dashboard`); every figure's SQL lives in queries.py."""
