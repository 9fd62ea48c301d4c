"""The editorial admin (zh-hans): import, review and publish articles.

- ``articles``: the article list and change form (``filters``, ``preview``); ``publishing``: its
  publishing actions
- ``imports``: the import page (``uploads`` builds its rows, ``batches`` keeps the uploads)
- ``entities`` and ``mentions``: entities, merging, never-link, reviewing flagged links
- ``rights``: licences and their history, takedowns, the editorial log, the licensor's
  report and each editor's profile
- ``forms``: the admin's forms; ``images``: the 本地化图片 action
- ``taxonomy``: sources, categories, authors and tags
"""

from django.contrib import admin

from articles.admin import (  # noqa: F401 (registers the admins)
    articles,
    entities,
    mentions,
    rights,
    taxonomy,
)

admin.site.site_header = "Newsroom 编辑后台"
admin.site.site_title = "Newsroom 编辑后台"
admin.site.index_title = "编辑工作台"
admin.site.site_url = "/"
