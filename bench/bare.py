"""The yardstick: a bare Flask app with one route, nothing else. Every bench ratio is taken against it."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "hello"
