"""The supervisors' dashboard in the browser: aiohttp and Jinja2 pages over the bot's data.

:mod:`bot.dashboard.web` is the application (pages, sign-in, CSV export),
:mod:`bot.dashboard.views` turns the services' data into what a page or a CSV row
shows (personal data masked as on the operators' cards), :mod:`bot.dashboard.server`
runs it: ``python -m bot dashboard`` and the terminal demo.
"""
