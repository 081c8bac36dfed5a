from .views import desk, public

app_name = "intake"
urlpatterns = [*public.urlpatterns, *desk.urlpatterns]
