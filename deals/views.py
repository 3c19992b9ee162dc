"""Partner pages of deal registration."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from .selectors import deals_visible_to


@login_required
def deal_list(request):
    return render(request, "deals/deal_list.html", {"deals": deals_visible_to(request.user)[:50]})
