from django.apps import AppConfig


class AnswerConfig(AppConfig):
    name = "loa.answer"
    verbose_name = "Hỏi đáp"
