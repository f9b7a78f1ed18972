from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from bench_floor.models import FloorRow


class FloorForm(forms.Form):
    nps = forms.IntegerField(min_value=0, max_value=10)
    reason = forms.CharField(max_length=500, required=False)


@csrf_exempt  # as the public survey form (it carries a signed token instead)
def submit(request: HttpRequest) -> HttpResponse:
    form = FloorForm(request.POST or None)
    if request.method != "POST" or not form.is_valid():
        return HttpResponse("invalid", status=400)
    FloorRow.objects.create(**form.cleaned_data)
    return HttpResponse("Thank you", content_type="text/html; charset=utf-8")
