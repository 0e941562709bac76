"""The storefront as gunicorn serves it in production, plus a bare "hello" route as the yardstick."""

from storefront import create_app

app = create_app()


@app.get("/bench/hello")
def hello():
    return "hello"
