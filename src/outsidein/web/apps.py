from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "outsidein.web"
    label = "web"
