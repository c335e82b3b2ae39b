from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "loa.outcomes"
    verbose_name = "Kết quả bao phủ BHXH, BHYT, BHTN"
