from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "outsidein.api"
    label = "api"
